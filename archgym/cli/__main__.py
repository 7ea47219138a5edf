import sys

from archgym.cli import main

sys.exit(main())
