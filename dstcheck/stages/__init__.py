"""Pipeline stages, in order: discover, prefilter, index, analyze (parse, resolve, match), classify, hygiene; cache keeps each stage's output by content."""
