import sys

from kiosk.cli import main

sys.exit(main(["run", *sys.argv[1:]]))
