package diagnostics

// The catalog: every message the provider and its validators emit, in the diagnostics guide's
// order and words (templates/guides/diagnostics.md.tmpl, which a test holds against it). The
// texts are composed where the facts are (internal/provider's diagnostics.go, internal/validators).

// Configuring the provider.
var (
	IncompleteKeyPair            = declare("Incomplete Access Key Pair")
	ConflictingSources           = declare("Conflicting Credential Sources")
	ProfileNotLoaded             = declare("Failed to Load KooCLI Profile")
	InvalidAssumeRole            = declare("Invalid Assume Role Settings")
	InvalidOIDC                  = declare("Invalid OIDC Settings")
	UnknownProviderArgument      = declare("Unknown Provider Argument")
	InvalidProviderArgument      = declare("Invalid Provider Argument")
	UnknownRegion                = declare("Unknown COC Region")
	InvalidEndpoint              = declare("Invalid {Service} Endpoint")
	InvalidProviderConfiguration = declare("Invalid Provider Configuration")
)

// Planning.
var (
	InvalidTimeout          = declare("Invalid Timeout")
	InvalidSecret           = declare("Invalid Secret")
	UnusualIdentifierLength = declare("Unusual Identifier Length")
	CredentialsNotObtained  = declare("Failed to Obtain COC Credentials")
	AppCredentialsRejected  = declare("{Platform} Rejected the App Credentials")
	AppCredentialsUnchecked = declare("Could Not Verify {Platform} App Credentials")
	WarRoomWouldNotOpen     = declare("War Room Would Not Open: {Check}")
	WarRoomReadinessUnknown = declare("War Room Readiness Not Known: {Check}")
)

// Changes made outside Terraform.
var (
	SecretDrift          = declare("Secret Changed Outside Terraform: Re-sending {Secret} of {Platform} App {Identifier}")
	WriteOnlySecretDrift = declare("Write-Only Secret Changed Outside Terraform: Increase {Version Attribute} of {Platform} App {Identifier}")
	AppReplaced          = declare("{Platform} App Replaced Outside Terraform")
	BoundByEarlierCreate = declare("{Platform} App Bound by an Earlier Create of This Binding")
	OtherAppLeftAlone    = declare("Another {Platform} App Is Bound: Left Alone")
)

// Applying.
var (
	NotConfirmed       = declare("{Platform} App Binding Not Confirmed")
	AlreadyBound       = declare("{Platform} App Already Bound")
	DeclaredTwice      = declare("{Platform} App Declared Twice")
	StateWithoutID     = declare("State of {Platform} Binding Has No {Identifier}")
	RequestFailed      = declare("Failed to {Action} {Platform} App Binding")
	UnboundDuringApply = declare("{Platform} App Was Unbound During Apply")
	SecretNotKnown     = declare("Secret Not Known at Apply")
	ImportIDMismatch   = declare("Import ID Does Not Match the Bound App")
	ListFailed         = declare("Failed to List Mobile App Bindings")
	PlatformListFailed = declare("Failed to List {Platform} App Bindings")
	UnexpectedData     = declare("Unexpected Provider Data")
)
