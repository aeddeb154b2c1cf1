package provider

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cocops/terraform-provider-coc/internal/compat"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// appConfig is a resource configuration with the case's fields number i and the write-only
// form of every secret, tagged tag, at version 1.
func (s *protocolServer) appConfig(pc platformCase, identifier string, i int, tag string) tftypes.Value {
	attrs := map[string]tftypes.Value{pc.platform.Identifier.Name: tftypes.NewValue(tftypes.String, identifier)}
	for f, v := range pc.fields {
		attrs[f] = tftypes.NewValue(tftypes.String, v[i])
	}
	for _, secret := range pc.platform.SecretNames() {
		attrs[secret+writeOnlySuffix] = tftypes.NewValue(tftypes.String, pc.secret(secret, tag))
		attrs[secret+versionSuffix] = tftypes.NewValue(tftypes.Number, 1)
	}
	return s.object(s.resourceType(pc.typeName), attrs)
}

func TestAppResource_IdentitySchemaIsTheIdentifier(t *testing.T) {
	s := newSimProtocolServer(t, newSimEnv(t, 1))
	for _, pc := range platformCases {
		schema := s.ids.IdentitySchemas[pc.typeName]
		if schema == nil {
			t.Fatalf("%s has no identity schema", pc.typeName)
		}
		if len(schema.IdentityAttributes) != 1 {
			t.Fatalf("%s: identity attributes %v, want only %s", pc.typeName, schema.IdentityAttributes, pc.platform.Identifier.Name)
		}
		a := schema.IdentityAttributes[0]
		if a.Name != pc.platform.Identifier.Name || !a.Type.Is(tftypes.String) || !a.RequiredForImport || a.OptionalForImport {
			t.Errorf("%s: identity attribute %+v, want the string %s, required for import", pc.typeName, a, pc.platform.Identifier.Name)
		}
		if schema.Version != 0 {
			t.Errorf("%s: identity schema version %d, want 0", pc.typeName, schema.Version)
		}
	}
}

// Create, read and update all return the identifier as the identity, whether Terraform sends the
// prior identity (1.12 and later) or none (1.11); an update never changes it, and changing the
// identifier is a replacement. A binding that is gone still gets its identity before it leaves
// the state, which the framework requires after every read.
func TestAppResource_IdentityFollowsTheBinding(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			s := newSimProtocolServer(t, env)
			want := map[string]string{pc.platform.Identifier.Name: pc.ids[0]}
			expectIdentity := func(call string, got *tfprotov6.ResourceIdentityData) {
				t.Helper()
				if id := s.identityOf(pc.typeName, got); !maps.Equal(id, want) {
					t.Fatalf("%s: identity %v, want %v", call, id, want)
				}
			}

			_, created := s.planAndApply(pc.typeName, nil, nil, nil, s.appConfig(pc, pc.ids[0], 0, "1"))
			expectIdentity("create", created.NewIdentity)

			for _, prior := range []*tfprotov6.ResourceIdentityData{nil, created.NewIdentity} {
				read := s.read(pc.typeName, created.NewState, created.Private, prior)
				expectNoErrors(t, "ReadResource", read.Diagnostics)
				expectIdentity("read", read.NewIdentity)
			}

			changed := s.appConfig(pc, pc.ids[0], 1, "2")
			for _, prior := range []*tfprotov6.ResourceIdentityData{nil, created.NewIdentity} {
				planned, updated := s.planAndApply(pc.typeName, created.NewState, created.Private, prior, changed)
				if prior != nil {
					expectIdentity("plan update", planned.PlannedIdentity)
				}
				if len(planned.RequiresReplace) != 0 {
					t.Fatalf("changing fields and secrets plans a replacement (%v)", planned.RequiresReplace)
				}
				expectIdentity("update", updated.NewIdentity)
			}

			renamed := s.appConfig(pc, pc.ids[1], 0, "1")
			planned, err := s.server.PlanResourceChange(t.Context(), &tfprotov6.PlanResourceChangeRequest{TypeName: pc.typeName,
				PriorState: created.NewState, PriorPrivate: created.Private, PriorIdentity: created.NewIdentity,
				ProposedNewState: s.dynamic(s.resourceType(pc.typeName), s.proposedNewState(pc.typeName, created.NewState, renamed)),
				Config:           s.dynamic(s.resourceType(pc.typeName), renamed)})
			if err != nil {
				t.Fatal(err)
			}
			expectNoErrors(t, "PlanResourceChange", planned.Diagnostics)
			if len(planned.RequiresReplace) != 1 || !planned.RequiresReplace[0].Equal(tftypes.NewAttributePath().WithAttributeName(pc.platform.Identifier.Name)) {
				t.Fatalf("changing %s plans replacing %v, want a replacement because of %s", pc.platform.Identifier.Name, planned.RequiresReplace, pc.platform.Identifier.Name)
			}

			if err := env.sim.ConsoleUnbind(env.tenants[0].AccessKey, pc.appType); err != nil {
				t.Fatal(err)
			}
			gone := s.read(pc.typeName, created.NewState, created.Private, nil)
			expectNoErrors(t, "ReadResource of an unbound app", gone.Diagnostics)
			if s.attributes(s.resourceType(pc.typeName), gone.NewState) != nil {
				t.Fatal("an unbound app stays in the state")
			}
			expectIdentity("read of an unbound app", gone.NewIdentity)
		})
	}
}

// Importing by identity and importing by ID give the same state, identity and private state,
// before and after the first read; an identity that is not the bound app is refused like an ID.
func TestAppResource_ImportByIdentityEqualsImportByID(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
			s := newSimProtocolServer(t, env)
			typ := s.resourceType(pc.typeName)

			byID := s.importResource(pc.typeName, pc.ids[0], nil)
			byIdentity := s.importResource(pc.typeName, "", s.identity(pc.typeName, pc.platform.Identifier.Name, pc.ids[0]))
			expectSameResource(t, s, pc.typeName, "imported", byID.State, byIdentity.State, byID.Identity, byIdentity.Identity)
			if string(byID.Private) != string(byIdentity.Private) {
				t.Fatalf("private state differs: %s by ID, %s by identity", byID.Private, byIdentity.Private)
			}

			readByID := s.read(pc.typeName, byID.State, byID.Private, byID.Identity)
			readByIdentity := s.read(pc.typeName, byIdentity.State, byIdentity.Private, byIdentity.Identity)
			expectNoErrors(t, "ReadResource after import by ID", readByID.Diagnostics)
			expectNoErrors(t, "ReadResource after import by identity", readByIdentity.Diagnostics)
			expectSameResource(t, s, pc.typeName, "read after import", readByID.NewState, readByIdentity.NewState, readByID.NewIdentity, readByIdentity.NewIdentity)
			state := s.attributes(typ, readByIdentity.NewState)
			for f, v := range pc.fields {
				if !state[f].Equal(tftypes.NewValue(tftypes.String, v[0])) {
					t.Errorf("%s = %s after import, want %q", f, state[f], v[0])
				}
			}

			wrong := s.importResource(pc.typeName, "", s.identity(pc.typeName, pc.platform.Identifier.Name, pc.ids[1]))
			refused := s.read(pc.typeName, wrong.State, wrong.Private, wrong.Identity)
			expectError(t, "ReadResource after importing another app", refused.Diagnostics,
				"Import ID Does Not Match the Bound App", strconv.Quote(pc.ids[1]), `import it with the ID "`+pc.ids[0]+`"`)
		})
	}
}

func expectSameResource(t *testing.T, s *protocolServer, typeName, what string, a, b *tfprotov6.DynamicValue, idA, idB *tfprotov6.ResourceIdentityData) {
	t.Helper()
	typ := s.resourceType(typeName)
	stateA, err := a.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	stateB, err := b.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !stateA.Equal(stateB) {
		t.Fatalf("%s: state by ID %s, by identity %s", what, stateA, stateB)
	}
	if a, b := s.identityOf(typeName, idA), s.identityOf(typeName, idB); len(a) == 0 || !maps.Equal(a, b) {
		t.Fatalf("%s: identity by ID %v, by identity %v", what, a, b)
	}
}

// An app replaced by another on the console is the managed binding gone: the plan would bind it
// again, and fails saying that the other app is bound, with the instructions to adopt it; the
// replacement is never unbound (the destroy at the end of the test names the app the state
// holds, and COC refuses it) and the identity never changes.
func TestAccAppResource_ReplacedOnConsoleIsNotAdopted(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			config := env.providerBlock(0, "") + pc.resourceBlock("this", nil)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							env.sim.ClearRequests()
							env.bindOnConsole(t, pc, pc.ids[1], nil, "console")
						},
						Config:      config,
						ExpectError: errorPattern("App Already Bound", strconv.Quote(pc.ids[1]), "import", "Found while planning"),
					},
				},
			})
			if w := env.writes(); len(w) != 1 || w[0] != "DELETE "+bindingPath(pc)+" 412" {
				t.Fatalf("writes = %v, want only the destroy's DELETE, refused for naming the app replaced", w)
			}
			if got := env.bindings(t, 0)[pc.appType].Identifier(); got != pc.ids[1] {
				t.Fatalf("bound %s = %q, want the console's %q", pc.platform.Identifier.Name, got, pc.ids[1])
			}
		})
	}
}

// The warning that explains a replaced app is only visible at the protocol level: the test
// harness never shows provider warnings.
func TestAppResource_ReplacedOnConsoleWarns(t *testing.T) {
	pc := platformCaseFor(platforms.Lark)
	env := newSimEnv(t, 1)
	s := newSimProtocolServer(t, env)
	_, created := s.planAndApply(pc.typeName, nil, nil, nil, s.appConfig(pc, pc.ids[0], 0, "1"))
	env.bindOnConsole(t, pc, pc.ids[1], nil, "console")
	read := s.read(pc.typeName, created.NewState, created.Private, created.NewIdentity)
	warnings := expectNoErrors(t, "ReadResource", read.Diagnostics)
	if len(warnings) != 1 || !regexp.MustCompile(`Replaced Outside Terraform`).MatchString(warnings[0].Summary) ||
		!regexp.MustCompile(`set app_id to "`+pc.ids[1]+`" and import it`).MatchString(warnings[0].Detail) {
		t.Fatalf("warnings %v, want one explaining the replaced app", warnings)
	}
	if s.attributes(s.resourceType(pc.typeName), read.NewState) != nil {
		t.Fatal("a replaced app stays in the state")
	}
	if id := s.identityOf(pc.typeName, read.NewIdentity); id[pc.platform.Identifier.Name] != pc.ids[0] {
		t.Fatalf("identity %v, want the managed app %q", id, pc.ids[0])
	}
}

// With Terraform or OpenTofu 1.12 and later the state holds the identity, import blocks can name
// it, and an update keeps it. Terraform 1.11 has no identities, so this test skips there.
func TestAccAppResource_IdentityImportBlock(t *testing.T) {
	requireCLI(t, compat.IdentityImportBlocks)
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
			addr := pc.address("adopted")
			writeOnly, secrets := map[string]string{}, map[string]string{}
			for _, s := range pc.platform.SecretNames() {
				secrets[s] = pc.secret(s, "1")
				writeOnly[s+writeOnlySuffix] = strconv.Quote(secrets[s])
				writeOnly[s+versionSuffix] = "1"
			}
			importBlock := fmt.Sprintf("import {\n  to = %s\n  identity = {\n    %s = %q\n  }\n}\n", addr, pc.platform.Identifier.Name, pc.ids[0])
			identity := statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{pc.platform.Identifier.Name: knownvalue.StringExact(pc.ids[0])})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					// Adopting the console's binding by identity: an import that sets the secrets.
					{
						Config: env.providerBlock(0, "") + pc.resourceBlock("adopted", writeOnly) + importBlock,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							identity,
							statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New(pc.platform.Identifier.Name)),
						},
						Check: env.expectFingerprints(pc, secrets),
					},
					// Changing a field updates in place and keeps the identity.
					{
						Config: env.providerBlock(0, "") + pc.resourceBlock("adopted", mergeAttrs(writeOnly, otherFields(pc))),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{identity},
					},
					// Importing again by the identity in the state finds the same binding.
					{
						ResourceName:       addr,
						ImportState:        true,
						ImportStateKind:    resource.ImportBlockWithResourceIdentity,
						ExpectNonEmptyPlan: true, // the write-only secrets' versions are not in an imported state
						ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						}},
					},
				},
			})
		})
	}
}

// otherFields sets every field to the case's second value.
func otherFields(pc platformCase) map[string]string {
	attrs := map[string]string{}
	for f, v := range pc.fields {
		attrs[f] = strconv.Quote(v[1])
	}
	return attrs
}
