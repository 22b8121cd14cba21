"""Help services for citizens: lost and found, missing people, parked cars, breakdowns."""
