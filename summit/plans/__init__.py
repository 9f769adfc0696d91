"""Action plans, after-action feedback and participant-led topics."""
