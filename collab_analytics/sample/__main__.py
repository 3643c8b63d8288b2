"""``python -m collab_analytics.sample write [OUT_DIR]`` — regenerate the bundled sample files."""

import sys

from collab_analytics.sample import main

sys.exit(main())
