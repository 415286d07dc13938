"""`screening bench`: end-to-end throughput and latency through Kafka, with a baseline."""
