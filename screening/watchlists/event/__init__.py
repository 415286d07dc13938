"""Event lists: persons or vehicles of local interest that the host authorities add for the
event (revoked accreditations, national lookouts, stadium bans, incident lists).

A person is screened as a notice is (names, date of birth, documents), a vehicle as a
stolen vehicle is (VIN, plate); the hit's category is the record's `list_name`, what the
gate is told follows its `action`, and past `valid_until` the record no longer hits.
"""
