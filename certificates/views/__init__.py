"""Certificate pages: the public verification page (``public``) and the pages of staff, school
administrators and teachers (``pages``)."""
