"""The workshops app's pages: ``teams`` for a group's lead and members (and staff looking at one
group), ``programme`` for staff looking across a programme's groups."""
