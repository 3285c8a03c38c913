from hublint.cli import main

raise SystemExit(main())
