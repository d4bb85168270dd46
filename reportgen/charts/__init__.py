"""Charts stage: layers of results -> Vega-Lite specs (Altair) -> PNG/SVG/PDF (vl-convert).

Importing this package does not import Altair: `steps.py` and `render.py` do, and the build
imports them only once the data is read.
"""
