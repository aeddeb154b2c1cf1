// Command refprovider is the smallest useful provider on the same framework version as coc: one
// resource, no client, no validators. The start-up benchmark measures coc's cost over
// Terraform's floor against this one's, which is what the framework and gRPC cost by themselves.
// It is benchmark tooling only; the release builds the root package alone.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return refProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/bench/ref"})
	if err != nil {
		log.Fatal(err)
	}
}

type refProvider struct{}

func (refProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ref"
}

func (refProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (refProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (refProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (refProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return thing{} }}
}

// thing keeps its one attribute in the state only.
type thing struct{}

type thingModel struct {
	Name types.String `tfsdk:"name"`
}

func (thing) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "ref_thing"
}

func (thing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{"name": schema.StringAttribute{Required: true}}}
}

func (thing) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m thingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (thing) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (thing) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m thingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (thing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
