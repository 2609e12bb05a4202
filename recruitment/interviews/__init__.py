"""Interview slots the chair or HR publish and candidates book themselves, shaped by their
agreed adjustments (extra time, an accessible venue, a remote interview, communication
support's lead time), with calendar invitations and reminders."""
