"""The AWS CDK app that deploys Tandem: network, data stores, identity, service, edge, alarms."""
