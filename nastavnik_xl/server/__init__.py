"""The МНЦ's server for schools' books without local Python (xlwings Server's protocol), see :mod:`.app`.

xlwings Server and its remote engine are xlwings PRO parts under the PolyForm Noncommercial License
1.0.0, whose permitted purposes include educational and government institutions: the key
``noncommercial`` is set here, before anything imports xlwings, unless the МНЦ set a key of its own.
"""

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
