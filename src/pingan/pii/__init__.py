"""Personal data: validation, masking and encryption of ID numbers and phone numbers."""
