"""``python -m medcourse``: the course tools (see :mod:`medcourse.course.cli`)."""

import sys

from medcourse.course.cli import main

if __name__ == "__main__":
    sys.exit(main())
