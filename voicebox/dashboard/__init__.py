"""The organizer dashboard and leadership's one-screen home."""
