"""``python -m analyzer`` runs the same command line as ``tokki``."""
import sys

from .cli import main

sys.exit(main())
