"""Branch standardisation (党支部标准化规范化建设): the standard, self-checks, acceptance
and levels."""
