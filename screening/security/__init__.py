"""Security on by default: the local CA, principals and their rights, client options.

- `secretsdir`: where the CA, certificates and passwords live, created once (0600).
- `pki`: the local certificate authority and the certificates it signs.
- `roles`: the contract's principals and exactly what each may do (pure data).
- `clients`: every Kafka and Redis client's connection options, built in one place.
- `provision`: applies principals, topics and ACLs to a running broker (admin only).
"""
