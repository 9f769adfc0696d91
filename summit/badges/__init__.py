"""Badge printing: stocks (label sheets, cards, thermal), layout, QR codes and PDF rendering.

Plain Python with no Flask import; see :mod:`summit.badges.render` for the API.
"""
