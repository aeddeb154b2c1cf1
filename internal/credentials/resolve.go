package credentials

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// source is a base source of credentials; assume_role is not one, but a layer on top of one.
type source int

const (
	fromEnvironment source = iota // the block names no source
	sourceOIDC
	sourceKeyPair
	sourceProfile
)

// sourceNames says what each source is, for errors.
var sourceNames = map[source]string{
	sourceOIDC: "an OIDC identity token", sourceKeyPair: "an access key pair", sourceProfile: "a KooCLI profile",
}

// sourceArgs are the arguments that name each source, in the order in which the environment's
// sources are tried.
var sourceArgs = []struct {
	source source
	args   []Arg
}{
	{sourceOIDC, []Arg{ArgOIDC}},
	{sourceKeyPair, []Arg{ArgAccessKey, ArgSecretKey, ArgSecurityToken}},
	{sourceProfile, []Arg{ArgProfile, ArgSharedConfigFile}},
}

// Resolve decides the credential configuration from the provider block and the environment.
// It is the one place that says which variable fills in what:
//
//   - A source of credentials that the block names (assume_role_with_oidc; the key pair by
//     access_key, secret_key or a non-empty security_token; a KooCLI profile by profile or
//     shared_config_file) is the source, and no variable of another source replaces it. The
//     variables of the named source still fill in what the block leaves unset (access_key in the
//     block, HW_SECRET_KEY in the environment), except HW_SECURITY_TOKEN, which belongs to the
//     temporary key of HW_ACCESS_KEY and so applies only with it. Two sources named in one
//     block are a problem.
//   - An agency moves the account, so when the block names the source, only an agency that the
//     block asks for applies: the assume_role block, or assume_role_with_oidc's agency_name,
//     each filled in by the HW_ASSUME_ROLE_* variables. The environment's agency alone is
//     ignored.
//   - HW_DOMAIN_ID names the environment's account, which COC refuses for another account's key,
//     so it applies only when the environment gives the source too. Otherwise domain_id comes
//     from the block, else the profile's domainId, else none is sent (COC then acts in the
//     signing key's account).
//   - When the block names no source, the environment decides as the huaweicloud provider's
//     does: assume_role_with_oidc when HW_ASSUME_ROLE_IDP_ID is set (the agency variables then
//     belong to it), else the key pair, else a profile, else the ECS metadata service, with
//     every argument falling back to its variable.
//
// In pairs of which one is set (domain_name or domain_id of an agency, id_token or
// id_token_file), the variables fill in only when the block sets neither half. region, the
// endpoints and max_retries fall back to their variables whatever the source. Resolve reads the environment
// through getenv and touches nothing else: New reads the profile, the first Retrieve calls IAM.
func Resolve(block Block, getenv func(string) string) Resolution {
	r := &resolver{block: block, getenv: getenv, read: map[string]bool{}}
	named := r.namedSources()
	n := fromEnvironment
	var res Resolution
	if len(named) > 0 {
		n, res.NamedBy = named[0].source, named[0].arg
	}
	envFills := func(s source) bool { return n == fromEnvironment || n == s }
	// A security token belongs to one temporary access key: HW_SECURITY_TOKEN goes with
	// HW_ACCESS_KEY, never with an access key the block sets.
	_, accessKeyInBlock := block[ArgAccessKey]

	c := Config{
		Region:           r.oneLine(ArgRegion, true),
		DomainID:         r.oneLine(ArgDomainID, n == fromEnvironment),
		AccessKey:        r.oneLine(ArgAccessKey, envFills(sourceKeyPair)),
		SecretKey:        r.oneLine(ArgSecretKey, envFills(sourceKeyPair)),
		SecurityToken:    r.oneLine(ArgSecurityToken, envFills(sourceKeyPair) && !accessKeyInBlock),
		SharedConfigFile: r.value(ArgSharedConfigFile, envFills(sourceProfile)),
		Profile:          r.value(ArgProfile, envFills(sourceProfile)),
		IAMEndpoint:      r.value(ArgIAMEndpoint, true),
	}
	if n == fromEnvironment {
		c.MetadataEndpoint = r.env(EnvMetadataEndpoint)
	}
	r.keyPair(c)
	if n == sourceOIDC || (n == fromEnvironment && getenv(EnvIdpID) != "") {
		c.OIDC = r.oidc(n == fromEnvironment)
	}
	_, roleBlock := block[ArgAssumeRole]
	if roleBlock || (n == fromEnvironment && c.OIDC == nil && getenv(EnvAssumeRoleAgency) != "") {
		c.AssumeRole = r.assumeRole()
	}
	if len(named) > 1 {
		// The other problems follow from reading two sources as one; the conflict is the cause.
		r.problems = nil
		for _, other := range named[1:] {
			r.conflict(named[0], other)
		}
	}
	c.COCEndpoint = r.value(ArgEndpoint, true)
	c.MaxRetries = r.maxRetries()

	if n != fromEnvironment {
		for _, name := range credentialVariables {
			if getenv(name) != "" && !r.read[name] {
				res.Ignored = append(res.Ignored, name)
			}
		}
	}
	res.Config, res.Problems = c, r.problems
	return res
}

// resolver reads the settings for Resolve and collects their problems.
type resolver struct {
	block  Block
	getenv func(string) string
	// read are the variables Resolve read, or would have read had the block not set their
	// argument: those that are set and not in read are ignored by the source rule.
	read     map[string]bool
	problems []Problem
}

type namedSource struct {
	source source
	arg    Arg
}

// namedSources are the sources the block names, each by its first argument set, in order.
func (r *resolver) namedSources() []namedSource {
	var named []namedSource
	for _, s := range sourceArgs {
		for _, a := range s.args {
			v, set := r.block[a]
			if set && (a != ArgSecurityToken || v != "") {
				named = append(named, namedSource{s.source, a})
				break
			}
		}
	}
	return named
}

func (r *resolver) env(name string) string {
	r.read[name] = true
	return r.getenv(name)
}

// value is the argument's value in the block, else its variable's when envFills.
func (r *resolver) value(a Arg, envFills bool) string {
	if v, set := r.block[a]; set {
		r.read[a.Variable()] = true
		return v
	}
	if !envFills {
		return ""
	}
	return r.env(a.Variable())
}

// oneLine is value for a key, a token, a name or an ID, checked for whitespace and control
// characters without being shown: a value read from a file often ends in a line break.
func (r *resolver) oneLine(a Arg, envFills bool) string {
	v := r.value(a, envFills)
	r.checkOneLine(a, a.Variable(), v)
	return v
}

func (r *resolver) checkOneLine(a Arg, variable, v string) {
	if i := strings.IndexFunc(v, func(c rune) bool { return c <= ' ' || c > '~' }); i >= 0 {
		r.add(InvalidValue, a, "The value of %s (from the provider block or the %s environment variable) has a space, a line break, "+
			"a control character or a non-ASCII character at byte %d. (The value is not shown.) Set it again without surrounding "+
			"whitespace.", a, variable, i+1)
	}
}

// pair reads two arguments of which one is to be set. The variables fill in only when the block
// sets neither, so that a variable left over in the environment cannot clash with the block.
func (r *resolver) pair(a1, a2 Arg, envFills bool) (string, string) {
	_, set1 := r.block[a1]
	_, set2 := r.block[a2]
	if set1 || set2 {
		r.read[a1.Variable()], r.read[a2.Variable()] = true, true
		envFills = false
	}
	return r.oneLine(a1, envFills), r.oneLine(a2, envFills)
}

// duration is a lifetime in seconds; 0 when nothing sets one.
func (r *resolver) duration(a Arg, envFills bool) int {
	if v, set := r.block[a]; set {
		r.read[a.Variable()] = true
		n, _ := strconv.Atoi(v) // the schema has checked it
		return n
	}
	if !envFills {
		return 0
	}
	raw := r.env(a.Variable())
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < MinDuration || n > MaxDuration {
		r.add(InvalidValue, a, "The %s environment variable, which sets %s, is %q: not a number of seconds from %d to %d (15 minutes "+
			"to 24 hours). Set it to one, or unset it for IAM's default of 15 minutes.", a.Variable(), a, raw, MinDuration, MaxDuration)
	}
	return n
}

// maxRetries is max_retries, else HW_MAX_RETRIES, else hwhttp.DefaultMaxRetries. The schema
// checks the argument's range; the variable is checked here against the same one.
func (r *resolver) maxRetries() int {
	raw := r.value(ArgMaxRetries, true)
	if raw == "" {
		return hwhttp.DefaultMaxRetries
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > hwhttp.MaxRetriesLimit {
		r.add(InvalidValue, ArgMaxRetries, "The %s environment variable sets %s where the provider block does not, and %s is %q: "+
			"not a whole number from 0 to %d. Set it to a number of retries from 0 to %d, or unset it for the default of %d.",
			EnvMaxRetries, ArgMaxRetries, EnvMaxRetries, raw, hwhttp.MaxRetriesLimit, hwhttp.MaxRetriesLimit, hwhttp.DefaultMaxRetries)
		return 0
	}
	return n
}

func (r *resolver) add(kind ProblemKind, a Arg, format string, args ...any) {
	r.problems = append(r.problems, Problem{Kind: kind, Arg: a, Detail: fmt.Sprintf(format, args...)})
}

// keyPair checks that the key pair is complete, or absent so that another source applies.
func (r *resolver) keyPair(c Config) {
	const another = " Leave access_key, secret_key and security_token (and their variables) all unset to take the credentials " +
		"from another source: a KooCLI profile, assume_role_with_oidc or the ECS metadata service."
	switch {
	case c.AccessKey == "" && c.SecretKey != "":
		r.add(IncompleteKeyPair, ArgAccessKey, "The provider has a secret key (secret_key or %s) but no access key: set access_key in "+
			"the provider block or the %s environment variable."+another, EnvSecretKey, EnvAccessKey)
	case c.AccessKey != "" && c.SecretKey == "":
		r.add(IncompleteKeyPair, ArgSecretKey, "The provider has an access key (access_key or %s) but no secret key: set secret_key in "+
			"the provider block or the %s environment variable."+another, EnvAccessKey, EnvSecretKey)
	case c.AccessKey == "" && c.SecurityToken != "":
		r.add(IncompleteKeyPair, ArgSecurityToken, "The provider has a security token (security_token or %s) but no key pair to go "+
			"with it: set access_key and secret_key (or %s and %s) to the temporary key pair it belongs to."+another,
			EnvSecurityToken, EnvAccessKey, EnvSecretKey)
	}
}

// oidc reads assume_role_with_oidc. Its agency comes from the environment only when the whole
// source does; a block that names the source asks for an agency with its own agency_name.
func (r *resolver) oidc(fromEnv bool) *OIDCConfig {
	agency := r.oneLine(ArgOIDCAgency, fromEnv)
	o := &OIDCConfig{
		IdpID:      r.oneLine(ArgOIDCIdpID, true),
		AgencyName: agency,
		DomainID:   r.oneLine(ArgOIDCDomainID, fromEnv || agency != ""),
		Duration:   r.duration(ArgOIDCDuration, true),
	}
	o.IDToken, o.IDTokenFile = r.pair(ArgOIDCIDToken, ArgOIDCIDTokenFile, true)
	hcp := r.env(EnvHCPWorkloadIdentityToken)
	if o.IDToken == "" && o.IDTokenFile == "" {
		// Runs on HCP Terraform's own workers have no hook that could copy the token elsewhere.
		o.IDToken = hcp
		r.checkOneLine(ArgOIDCIDToken, EnvHCPWorkloadIdentityToken, hcp)
	}
	if o.IdpID == "" {
		r.add(InvalidOIDC, ArgOIDCIdpID, "assume_role_with_oidc needs the ID of the identity provider in IAM: set idp_id in the block "+
			"or the %s environment variable.", EnvIdpID)
	}
	switch {
	case o.IDToken == "" && o.IDTokenFile == "":
		r.add(InvalidOIDC, ArgOIDCIDToken, "assume_role_with_oidc needs the identity token: set id_token (or %s), or id_token_file "+
			"(or %s) to the file the CI system writes it to. In HCP Terraform, set TFC_WORKLOAD_IDENTITY_AUDIENCE in the workspace, "+
			"and the run's %s is used.", EnvIDToken, EnvIDTokenFile, EnvHCPWorkloadIdentityToken)
	case o.IDToken != "" && o.IDTokenFile != "":
		r.add(InvalidOIDC, ArgOIDCIDTokenFile, "Both %s and %s are set: set only one.", EnvIDToken, EnvIDTokenFile)
	}
	if o.AgencyName != "" && o.DomainID == "" {
		r.add(InvalidOIDC, ArgOIDCDomainID, "assume_role_with_oidc assumes agency %q, and needs the ID of the account it belongs to: "+
			"set domain_id in the block or the %s environment variable.", o.AgencyName, EnvAssumeRoleDomainID)
	}
	return o
}

// assumeRole reads assume_role: the block, filled in by the variables, or the variables alone.
func (r *resolver) assumeRole() *AssumeRole {
	role := &AssumeRole{
		AgencyName:      r.oneLine(ArgAssumeRoleAgency, true),
		DurationSeconds: r.duration(ArgAssumeRoleDuration, true),
	}
	role.DomainName, role.DomainID = r.pair(ArgAssumeRoleDomainName, ArgAssumeRoleDomainID, true)
	if role.AgencyName == "" {
		r.add(InvalidAssumeRole, ArgAssumeRoleAgency, "assume_role needs the agency's name: set agency_name in the block or the %s "+
			"environment variable.", EnvAssumeRoleAgency)
	}
	switch {
	case role.DomainName == "" && role.DomainID == "":
		r.add(InvalidAssumeRole, ArgAssumeRoleDomainName, "assume_role needs the account the agency belongs to: set domain_name (or %s) "+
			"or domain_id (or %s).", EnvAssumeRoleDomainName, EnvAssumeRoleDomainID)
	case role.DomainName != "" && role.DomainID != "":
		r.add(InvalidAssumeRole, ArgAssumeRoleDomainID, "Both %s and %s are set: set only one.", EnvAssumeRoleDomainName, EnvAssumeRoleDomainID)
	}
	return role
}

// conflict reports a second source named in the block, on the argument that names it.
func (r *resolver) conflict(first, second namedSource) {
	r.add(ConflictingSources, second.arg, "The provider block names two sources of credentials: %s (%s) and %s (%s). A provider "+
		"block takes its credentials from the one source it names, whatever the environment holds: remove one of the two. To work "+
		"in two accounts, give each its own provider block with an alias.", first.arg, sourceNames[first.source], second.arg,
		sourceNames[second.source])
}
