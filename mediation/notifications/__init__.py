"""The in-app inbox: a user's notifications, opened one by one or all marked read."""
