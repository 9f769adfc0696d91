"""WSGI entry point: ``gunicorn wsgi:app``.

Once the app is built, what it allocated (modules, routes, SQLAlchemy's mappers, the
configuration) lives as long as the process, so it is moved out of the garbage collector's
sight with ``gc.freeze()``. Otherwise every full collection walks those ~170,000 objects
again: about a tenth of the CPU of an API check-in (``bench/checkin/profile_api.py``). With
``gunicorn --preload`` this also keeps the collector from touching, and so copying, the
memory the forked workers share.
"""

import gc

from summit import create_app

app = create_app()
gc.collect()
gc.freeze()
