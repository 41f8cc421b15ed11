module github.com/pulumi-azure-peering/tools/yaml-build

go 1.26.6

require github.com/pulumi/pulumi-yaml v1.25.0 // indirect
