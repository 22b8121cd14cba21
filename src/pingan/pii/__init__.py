"""Personal data: validation, masking and encryption of ID numbers, phone numbers, names."""
