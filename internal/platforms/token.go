package platforms

// TokenCall is how a platform takes an app's credentials in exchange for an access token: the
// call internal/appcheck makes to check them, as COC does before it opens a war room, and the
// simulator answers in the platform's words (the simulator keeps the rest of its dialect).
type TokenCall struct {
	// Endpoint is the platform's default base URL.
	Endpoint string
	Method   string
	// Path is joined to the endpoint.
	Path string
	// AppIDField and SecretField name the app ID and the secret: query parameters of a GET,
	// members of a POST's JSON body.
	AppIDField, SecretField string

	// The answer's members: the token, its lifetime in seconds, the error code and message, and
	// a request ID (the member or the header that carries it), each empty when there is none.
	Token, Lifetime, Code, Message, RequestID, RequestIDHeader string
	// NumericCode says that the platform writes its codes as JSON numbers; SuccessCode is the
	// code of an answer with a token, empty when such an answer carries none.
	NumericCode bool
	SuccessCode string
	// Busy are codes with which the platform asks to try again later: no verdict on the
	// credentials. Throttling by HTTP status (429) is retried before it gets here.
	Busy []string

	// How the platform refuses an app it does not know and a wrong secret: what a plan that
	// checks credentials quotes, as the docs say.
	UnknownApp, WrongSecret Answer
}

// Answer is an error answer of a platform: its HTTP status, code and message.
type Answer struct {
	Status        int
	Code, Message string
}
