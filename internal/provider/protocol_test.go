package provider

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// protocolServer drives the provider through the plugin protocol the way Terraform does. It
// shows what Terraform 1.11 cannot: resource identities (1.12) and list results (1.14). A call
// without an identity is what Terraform 1.11 sends.
type protocolServer struct {
	t      *testing.T
	server tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
	ids    *tfprotov6.GetResourceIdentitySchemasResponse
}

// newProtocolServer serves a fresh provider configured with the given provider arguments.
func newProtocolServer(t *testing.T, providerArgs map[string]string) *protocolServer {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(testProvider())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	expectNoErrors(t, "GetProviderSchema", schema.Diagnostics)
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	expectNoErrors(t, "GetResourceIdentitySchemas", ids.Diagnostics)
	s := &protocolServer{t: t, server: server, schema: schema, ids: ids}
	args := map[string]tftypes.Value{}
	for name, v := range providerArgs {
		args[name] = tftypes.NewValue(tftypes.String, v)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: s.dynamic(schema.Provider.ValueType(), s.object(schema.Provider.ValueType(), args)),
	})
	if err != nil {
		t.Fatal(err)
	}
	expectNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return s
}

// newSimProtocolServer serves a provider configured for the simulator's first tenant.
func newSimProtocolServer(t *testing.T, env *simEnv) *protocolServer {
	t.Helper()
	tenant := env.tenants[0]
	return newProtocolServer(t, map[string]string{
		"endpoint": env.url, "access_key": tenant.AccessKey, "secret_key": tenant.SecretKey, "domain_id": tenant.DomainID,
	})
}

func (s *protocolServer) resourceType(typeName string) tftypes.Type {
	return s.schema.ResourceSchemas[typeName].ValueType()
}

func (s *protocolServer) identityType(typeName string) tftypes.Type {
	return s.ids.IdentitySchemas[typeName].ValueType()
}

// object builds a value of an object type from the given attributes; the others are null.
func (s *protocolServer) object(typ tftypes.Type, attrs map[string]tftypes.Value) tftypes.Value {
	s.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		s.t.Fatalf("%s is not an object type", typ)
	}
	values := map[string]tftypes.Value{}
	for name, attrType := range obj.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range attrs {
		if _, known := obj.AttributeTypes[name]; !known {
			s.t.Fatalf("the object has no attribute %q", name)
		}
		values[name] = v
	}
	return tftypes.NewValue(typ, values)
}

func (s *protocolServer) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	s.t.Helper()
	d, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		s.t.Fatal(err)
	}
	return &d
}

func (s *protocolServer) identity(typeName, identifierName, identifier string) *tfprotov6.ResourceIdentityData {
	typ := s.identityType(typeName)
	v := s.object(typ, map[string]tftypes.Value{identifierName: tftypes.NewValue(tftypes.String, identifier)})
	return &tfprotov6.ResourceIdentityData{IdentityData: s.dynamic(typ, v)}
}

// attributes decodes an object into its attributes.
func (s *protocolServer) attributes(typ tftypes.Type, d *tfprotov6.DynamicValue) map[string]tftypes.Value {
	s.t.Helper()
	if d == nil {
		s.t.Fatal("no value")
	}
	v, err := d.Unmarshal(typ)
	if err != nil {
		s.t.Fatal(err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		s.t.Fatal(err)
	}
	return attrs
}

// identityOf returns the identity's attributes as strings; nil when there is none.
func (s *protocolServer) identityOf(typeName string, id *tfprotov6.ResourceIdentityData) map[string]string {
	s.t.Helper()
	if id == nil {
		return nil
	}
	out := map[string]string{}
	for name, v := range s.attributes(s.identityType(typeName), id.IdentityData) {
		var str string
		if err := v.As(&str); err != nil {
			s.t.Fatal(err)
		}
		out[name] = str
	}
	return out
}

// planAndApply runs the create or update of a resource, as terraform apply does.
func (s *protocolServer) planAndApply(typeName string, prior *tfprotov6.DynamicValue, priorPrivate []byte, priorIdentity *tfprotov6.ResourceIdentityData,
	config tftypes.Value) (*tfprotov6.PlanResourceChangeResponse, *tfprotov6.ApplyResourceChangeResponse) {
	s.t.Helper()
	ctx := context.Background()
	typ := s.resourceType(typeName)
	if prior == nil {
		prior = s.dynamic(typ, tftypes.NewValue(typ, nil))
	}
	validated, err := s.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName,
		Config:             s.dynamic(typ, config),
		ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true}})
	if err != nil {
		s.t.Fatal(err)
	}
	expectNoErrors(s.t, "ValidateResourceConfig", validated.Diagnostics)
	planned, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName,
		PriorState: prior, PriorPrivate: priorPrivate, PriorIdentity: priorIdentity,
		ProposedNewState: s.dynamic(typ, s.proposedNewState(typeName, prior, config)), Config: s.dynamic(typ, config)})
	if err != nil {
		s.t.Fatal(err)
	}
	expectNoErrors(s.t, "PlanResourceChange", planned.Diagnostics)
	applied, err := s.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName,
		PriorState: prior, PlannedState: planned.PlannedState, Config: s.dynamic(typ, config),
		PlannedPrivate: planned.PlannedPrivate, PlannedIdentity: planned.PlannedIdentity})
	if err != nil {
		s.t.Fatal(err)
	}
	expectNoErrors(s.t, "ApplyResourceChange", applied.Diagnostics)
	return planned, applied
}

// proposedNewState is what Terraform proposes: the configuration, with the prior state's value
// for each computed attribute the configuration leaves null.
func (s *protocolServer) proposedNewState(typeName string, prior *tfprotov6.DynamicValue, config tftypes.Value) tftypes.Value {
	typ := s.resourceType(typeName)
	priorAttrs := s.attributes(typ, prior)
	if priorAttrs == nil {
		return config
	}
	var configured map[string]tftypes.Value
	if err := config.As(&configured); err != nil {
		s.t.Fatal(err)
	}
	attrs := maps.Clone(configured) // As shares the value's own map
	for _, a := range s.schema.ResourceSchemas[typeName].Block.Attributes {
		if a.Computed && attrs[a.Name].IsNull() {
			attrs[a.Name] = priorAttrs[a.Name]
		}
	}
	return tftypes.NewValue(typ, attrs)
}

func (s *protocolServer) read(typeName string, state *tfprotov6.DynamicValue, private []byte, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	s.t.Helper()
	resp, err := s.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName,
		CurrentState: state, Private: private, CurrentIdentity: identity})
	if err != nil {
		s.t.Fatal(err)
	}
	return resp
}

// importResource imports by ID, or by identity when id is empty.
func (s *protocolServer) importResource(typeName, id string, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ImportedResource {
	s.t.Helper()
	resp, err := s.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: typeName,
		ID: id, Identity: identity, ClientCapabilities: &tfprotov6.ImportResourceStateClientCapabilities{}})
	if err != nil {
		s.t.Fatal(err)
	}
	expectNoErrors(s.t, "ImportResourceState", resp.Diagnostics)
	if len(resp.ImportedResources) != 1 {
		s.t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
	}
	return resp.ImportedResources[0]
}

// list runs a list block and collects every result.
func (s *protocolServer) list(typeName string, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	s.t.Helper()
	lister, ok := s.server.(tfprotov6.ProviderServerWithListResource) //nolint:staticcheck // the interface Terraform 1.14 calls
	if !ok {
		s.t.Fatal("the provider server does not serve list resources")
	}
	configType := s.schema.ListResourceSchemas[typeName].ValueType()
	stream, err := lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{TypeName: typeName,
		Config: s.dynamic(configType, s.object(configType, nil)), IncludeResource: includeResource, Limit: limit})
	if err != nil {
		s.t.Fatal(err)
	}
	var results []tfprotov6.ListResourceResult
	for r := range stream.Results {
		results = append(results, r)
	}
	return results
}

// expectNoErrors fails on error diagnostics and returns the warnings.
func expectNoErrors(t *testing.T, call string, diags []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	t.Helper()
	var warnings []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", call, d.Summary, d.Detail)
		}
		warnings = append(warnings, d)
	}
	return warnings
}

// expectError fails unless exactly one error diagnostic carries every fragment.
func expectError(t *testing.T, call string, diags []*tfprotov6.Diagnostic, fragments ...string) {
	t.Helper()
	errs := slices.DeleteFunc(slices.Clone(diags), func(d *tfprotov6.Diagnostic) bool { return d.Severity != tfprotov6.DiagnosticSeverityError })
	if len(errs) != 1 {
		t.Fatalf("%s: %d errors, want 1: %v", call, len(errs), diags)
	}
	text := errs[0].Summary + "\n" + errs[0].Detail
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Errorf("%s: the error lacks %q:\n%s", call, f, text)
		}
	}
}
