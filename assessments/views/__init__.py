"""The assessments pages, by who uses them: ``filing`` (teachers, group leads, school
administrators), ``board`` (bureau staff deciding, leadership reading results), ``sheets`` (the
assessment spreadsheets) and ``plans`` (rectification plans and endings)."""
