"""Identity assurance (可信身份认证): who someone is, to which level, checked how and when.

L1 real name (实名): a valid ID number matched to the bureau's population register by name;
L2 real person (实人): a liveness/face check by an outside provider, or a one-time code to the
phone the register holds (face is never the only path); L3 in person with the document (实证),
recorded by an officer.
"""
