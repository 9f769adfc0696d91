"""Registration: the public form, waitlist, personal links, import and export."""
