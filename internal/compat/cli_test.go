package compat

import "testing"

func TestParseVersionTellsTheCLIsApart(t *testing.T) {
	for out, want := range map[string]CLI{
		"Terraform v1.14.9\non linux_amd64\n": {Kind: Terraform, Version: "1.14.9", Release: Release{1, 14}},
		"OpenTofu v1.12.6\non linux_amd64\n":  {Kind: OpenTofu, Version: "1.12.6", Release: Release{1, 12}},
		"Terraform v1.16.4\non linux_amd64\n": {Kind: Terraform, Version: "1.16.4", Release: Release{1, 16}},
		// A release candidate or beta names its release line like the release.
		"Terraform v1.17.0-beta1\non linux_amd64\n": {Kind: Terraform, Version: "1.17.0-beta1", Release: Release{1, 17}},
		// A development build, after the warning a missing CLI config prints.
		"There are some problems with the CLI configuration:\nTerraform v1.15.0-dev\non darwin_arm64\n": {Kind: Terraform, Version: "1.15.0-dev", Release: Release{1, 15}},
	} {
		if got, err := parseVersion([]byte(out)); err != nil || got != want {
			t.Errorf("parseVersion(%q) = %+v, %v; want %+v", out, got, err, want)
		}
	}
	for _, out := range []string{"", `{"terraform_version": "1.14.9"}`, "Terraform 1.14.9\n", "Pulumi v3.0.0\n"} {
		if got, err := parseVersion([]byte(out)); err == nil {
			t.Errorf("parseVersion(%q) = %+v, want an error", out, got)
		}
	}
}

func TestLacksNamesTheFeatureAndTheCLI(t *testing.T) {
	terraform := func(minor int) CLI { return CLI{Kind: Terraform, Version: "1.x.0", Release: Release{1, minor}} }
	tofu := CLI{Kind: OpenTofu, Version: "1.12.6", Release: Release{1, 12}}
	for _, c := range []struct {
		cli     CLI
		feature Feature
		want    string
	}{
		{terraform(11), IdentityImportBlocks, "import blocks with identity need Terraform 1.12 or later; this is Terraform 1.x.0"},
		{terraform(12), IdentityImportBlocks, ""},
		{terraform(13), ListResources, "list resources (the query command) need Terraform 1.14 or later; this is Terraform 1.x.0"},
		{terraform(14), ListResources, ""},
		{CLI{Kind: Terraform, Version: "2.0.0", Release: Release{2, 0}}, ListResources, ""},
		{tofu, IdentityImportBlocks, ""},
		{tofu, ListResources, "OpenTofu 1.12.6 has no list resources (the query command)"},
		{terraform(15), ImportBlocksInModules, "import blocks in child modules need Terraform 1.16 or later; this is Terraform 1.x.0"},
		{terraform(16), ImportBlocksInModules, ""},
		{tofu, ImportBlocksInModules, "OpenTofu 1.12.6 has no import blocks in child modules"},
	} {
		if got := c.cli.Lacks(c.feature); got != c.want {
			t.Errorf("%v lacks %s: %q, want %q", c.cli, c.feature.Name, got, c.want)
		}
	}
}

func TestRegistryHostIsEachCLIsOwn(t *testing.T) {
	if got := (CLI{Kind: Terraform}).RegistryHost(); got != "registry.terraform.io" {
		t.Errorf("Terraform: %s", got)
	}
	if got := (CLI{Kind: OpenTofu}).RegistryHost(); got != "registry.opentofu.org" {
		t.Errorf("OpenTofu: %s", got)
	}
}
