package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cocops/terraform-provider-coc/internal/provider"
)

//go:generate go run ./internal/docgen

var (
	// version and commit are set by the release build (see .goreleaser.yml).
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/cocops/coc",
		Debug:   debug,
	})
	if err != nil {
		log.Fatalf("provider %s (%s): %s", version, commit, err)
	}
}
