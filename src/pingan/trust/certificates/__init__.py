"""Electronic no-criminal-record certificate (无犯罪记录电子证明): the bureau's criminal-record
table, applications at identity level L2, the automatic check, W3C Verifiable Credentials
signed through the signing service, a Bitstring Status List for revocation, and a compact
signed QR payload that verifies offline."""
