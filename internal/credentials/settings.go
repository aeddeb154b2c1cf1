package credentials

// The settings Resolve reads, by the provider block's arguments and the environment variables
// they fall back to, and what it makes of them: a Config, the variables it ignored, and the
// problems that make the settings unusable.

// Arg is an argument of the provider block that configures the credentials, or the connection
// they are used on, by its path in the schema ("access_key", "assume_role.domain_id"). A nested
// block's own name stands for the block being present.
type Arg string

// The provider block's credential and connection arguments.
const (
	ArgEndpoint             Arg = "endpoint"
	ArgMaxRetries           Arg = "max_retries"
	ArgRegion               Arg = "region"
	ArgDomainID             Arg = "domain_id"
	ArgAccessKey            Arg = "access_key"
	ArgSecretKey            Arg = "secret_key"
	ArgSecurityToken        Arg = "security_token"
	ArgSharedConfigFile     Arg = "shared_config_file"
	ArgProfile              Arg = "profile"
	ArgIAMEndpoint          Arg = "iam_endpoint"
	ArgAssumeRole           Arg = "assume_role"
	ArgAssumeRoleAgency     Arg = "assume_role.agency_name"
	ArgAssumeRoleDomainName Arg = "assume_role.domain_name"
	ArgAssumeRoleDomainID   Arg = "assume_role.domain_id"
	ArgAssumeRoleDuration   Arg = "assume_role.duration"
	ArgOIDC                 Arg = "assume_role_with_oidc"
	ArgOIDCIdpID            Arg = "assume_role_with_oidc.idp_id"
	ArgOIDCIDToken          Arg = "assume_role_with_oidc.id_token"
	ArgOIDCIDTokenFile      Arg = "assume_role_with_oidc.id_token_file"
	ArgOIDCAgency           Arg = "assume_role_with_oidc.agency_name"
	ArgOIDCDomainID         Arg = "assume_role_with_oidc.domain_id"
	ArgOIDCDuration         Arg = "assume_role_with_oidc.duration"
)

// argVariables is the environment variable each argument falls back to.
var argVariables = map[Arg]string{
	ArgEndpoint: EnvCOCEndpoint, ArgMaxRetries: EnvMaxRetries, ArgRegion: EnvRegion, ArgDomainID: EnvDomainID, ArgAccessKey: EnvAccessKey, ArgSecretKey: EnvSecretKey,
	ArgSecurityToken: EnvSecurityToken, ArgSharedConfigFile: EnvSharedConfigFile, ArgProfile: EnvProfile,
	ArgIAMEndpoint: EnvIAMEndpoint, ArgAssumeRoleAgency: EnvAssumeRoleAgency, ArgAssumeRoleDomainName: EnvAssumeRoleDomainName,
	ArgAssumeRoleDomainID: EnvAssumeRoleDomainID, ArgAssumeRoleDuration: EnvAssumeRoleDuration, ArgOIDCIdpID: EnvIdpID,
	ArgOIDCIDToken: EnvIDToken, ArgOIDCIDTokenFile: EnvIDTokenFile, ArgOIDCAgency: EnvAssumeRoleAgency,
	ArgOIDCDomainID: EnvAssumeRoleDomainID, ArgOIDCDuration: EnvAssumeRoleDuration,
}

// Variable is the environment variable the argument falls back to; "" for a block.
func (a Arg) Variable() string { return argVariables[a] }

// credentialVariables are the variables Resolve may read, in the order Ignored lists them.
var credentialVariables = []string{
	EnvAccessKey, EnvSecretKey, EnvSecurityToken, EnvSharedConfigFile, EnvProfile, EnvIdpID, EnvIDToken, EnvIDTokenFile,
	EnvHCPWorkloadIdentityToken, EnvAssumeRoleAgency, EnvAssumeRoleDomainName, EnvAssumeRoleDomainID, EnvAssumeRoleDuration,
	EnvDomainID, EnvMetadataEndpoint, EnvRegion, EnvIAMEndpoint,
}

// Block is what the provider block sets, by argument: an argument set to "" is set (an empty
// security_token means none), one left out is absent, and a nested block that is present is
// its Arg with the value "". Durations and max_retries are decimal numbers.
type Block map[Arg]string

// ProblemKind is what is wrong with a credential setting; the provider turns it into the
// summary of its diagnostic.
type ProblemKind int

const (
	// InvalidValue is a value that is not one line, or a number out of range.
	InvalidValue ProblemKind = iota + 1
	// IncompleteKeyPair is half a key pair, or a security token without one.
	IncompleteKeyPair
	// InvalidOIDC is assume_role_with_oidc without what it needs.
	InvalidOIDC
	// InvalidAssumeRole is assume_role without what it needs.
	InvalidAssumeRole
	// ConflictingSources is a provider block that names two sources of credentials.
	ConflictingSources
)

// Problem is one thing wrong with the credential settings. Detail names the argument and its
// variable and says what to do; it never shows a value that could be secret.
type Problem struct {
	Kind ProblemKind
	// Arg is the argument the problem is reported on.
	Arg    Arg
	Detail string
}

func (p Problem) Error() string { return p.Detail }

// Resolution is what Resolve decided.
type Resolution struct {
	Config Config
	// NamedBy is the argument by which the provider block names the credentials' source, or ""
	// when the block names none and the environment's sources are tried in order.
	NamedBy Arg
	// Ignored lists, by name, the environment variables that are set but not read because the
	// block names the source: those of the other sources, of an agency the block does not ask
	// for, and HW_DOMAIN_ID.
	Ignored []string
	// Problems are what makes the settings unusable; the Config is not to be used then.
	Problems []Problem
}
