"""The custody record: facilities, detentions, events, visits, field sync, and how they are shown."""
