"""`python -m app.cli`: how `dengta serve` starts its projection worker."""

from app.cli import main

raise SystemExit(main())
