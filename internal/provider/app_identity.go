package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A binding's identity is the platform identifier of the bound app (enterprise_id, client_id or
// app_id): it names the app COC binds, it never changes in place (a new identifier is a new
// binding), and it is what import, terraform query and HCP Terraform use to recognise the binding.
// Terraform 1.12 and later store it; older versions drop it without complaint.

var _ resource.ResourceWithIdentity = &appResource{}

func (r *appResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			r.platform.Identifier.Name: identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       fmt.Sprintf("The %s of the bound %s app, as in the %s attribute.", r.platform.Identifier.Name, r.platform.Name, r.platform.Identifier.Name),
			},
		},
	}
}

// setIdentity records the identifier as the resource's identity. The framework always hands
// CRUD and import a non-nil identity for a resource with an identity schema, and requires one
// after Create, Read and Update, even on Terraform versions that then discard it.
func (r *appResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, identifier types.String, diags *diag.Diagnostics) {
	diags.Append(identity.SetAttribute(ctx, path.Root(r.platform.Identifier.Name), identifier)...)
}
