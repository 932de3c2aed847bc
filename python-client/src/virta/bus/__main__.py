"""python3 -m virta.bus ... is the same as python3 -m virta.bus.tools ..."""

import sys

from .tools import main

sys.exit(main())
