package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

var _ list.ListResourceWithConfigure = &appListResource{}

// appListResource lets terraform query (Terraform 1.14 and later) find the binding of one app
// type, so that bindings made on the console can be adopted without knowing their identifiers.
// It is the managed resource's list side: same type name, same description, and a result
// carries exactly what an import of that binding would read.
type appListResource struct {
	appCore
}

func newAppListResource(p platforms.Platform) list.ListResource {
	return &appListResource{appCore{platform: p}}
}

func (l *appListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = l.typeName()
}

func (l *appListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *appListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	p := l.platform
	resp.Schema = listschema.Schema{
		MarkdownDescription: fmt.Sprintf("Finds the %[1]s app bound in the provider's tenant (a tenant binds at most one) with "+
			"`terraform query`, identified by its `%[2]s`. It takes no arguments. With `include_resource = true` the result "+
			"carries every attribute but the secrets, which COC never returns, and `terraform query -generate-config-out` "+
			"writes the resource and an `import` block for it.", p.Name, p.Identifier.Name),
	}
}

// List reads the bindings of this app type with the list call, filtered by app type: one call
// for the one binding a tenant can have, and an empty tenant is an empty list rather than a
// 404 that a wrong endpoint would also produce. The client refuses a list of more than one, so
// a list never exceeds the limit Terraform asks for (at least one result unless it sends none).
func (l *appListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	r := l.appCore
	ctx = maskLogs(ctx, r.data.secrets)
	stream.Results = func(push func(list.ListResult) bool) {
		// A list has no timeouts block; it gets the resources' default read deadline.
		ctx, cancel := context.WithTimeout(ctx, defaultReadTimeout)
		defer cancel()
		for binding, err := range r.data.client.AllBindings(ctx, r.platform.AppType) {
			if err != nil {
				push(list.ListResult{Diagnostics: diag.Diagnostics{platformListFailed(r.data.reach, r.platform, err)}})
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = fmt.Sprintf("%s app %s", r.platform.Name, binding.Identifier())
			r.setIdentity(ctx, result.Identity, types.StringValue(binding.Identifier()), &result.Diagnostics)
			if req.IncludeResource {
				found := r.readBinding(ctx, result.Resource, &result.Diagnostics)
				r.takeRemote(&found, &binding)
				r.writeBinding(ctx, result.Resource, found, &result.Diagnostics)
			}
			if !push(result) {
				return
			}
		}
	}
}
