"""demos: the `wagents` command line, terminal dashboard, evaluator and example suites."""
