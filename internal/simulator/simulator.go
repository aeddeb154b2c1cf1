// Package simulator is an in-memory implementation of the COC mobile-app API contract
// (internal/coc/CONTRACT.md), of the IAM and ECS metadata calls that issue temporary keys, and
// of the platforms' calls (internal/platforms) that check an app's credentials and whether it can
// open a war room, used by the acceptance tests, the demo and anyone without a cloud account. It
// verifies SDK-HMAC-SHA256 signatures, keeps one state per account (domain), shared by the
// account's access keys, and exposes an unsigned admin API under /_sim/ to inspect state,
// declare IAM's agencies and identity providers and the platforms' apps, and inject faults.
package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Option configures a Simulator.
type Option func(*Simulator)

// WithClock replaces the wall clock (timestamps, signature freshness and expiry).
func WithClock(now func() time.Time) Option { return func(s *Simulator) { s.now = now } }

// WithSeed makes fault injection and the keys and tokens IAM issues reproducible.
func WithSeed(seed uint64) Option {
	return func(s *Simulator) { s.rng = rand.New(rand.NewPCG(seed, seed)) } //nolint:gosec // G404: fault dice and simulated keys need no cryptographic randomness
}

// MaxClockSkew is how far X-Sdk-Date may be from the simulator's clock, as on the real gateway.
const MaxClockSkew = 15 * time.Minute

const maxRequestBytes = 64 << 10

// Simulator implements http.Handler. It is safe for concurrent use.
type Simulator struct {
	mu       sync.Mutex
	tenants  map[string]*tenant  // declared keys, by access key
	domains  map[string]*account // by domain ID
	requests []RequestRecord
	faults   []*faultRule
	limiter  *rateLimit
	now      func() time.Time
	rng      *rand.Rand
	nextID   uint64
	mux      *http.ServeMux
	// adminRoutes are the admin API's patterns, for the answer to a call none serves.
	adminRoutes []string

	// IAM and the metadata service: what is declared, and what they issued.
	agencies       []Agency
	idps           map[string]IdentityProvider // by ID
	metadataDomain string
	issuedLifetime time.Duration
	issued         map[string]*tenant // by access key
	issuance       []IssuedCredential // in the order of issue
	subjects       map[string]subjectToken
	metadataKey    IssuedCredential

	// platformApps holds the fingerprints of the secrets each platform's token call accepts.
	platformApps map[platformApp]map[string]bool
	// platformAppStates holds what the platforms' reads report about the apps that say so, and
	// platformTokens the app each issued access token is for, by the token's fingerprint.
	platformAppStates map[platformApp]platformAppState
	platformTokens    map[string]platformApp
}

type storedBinding struct {
	binding coc.Binding
	// fingerprints holds SHA-256 of each secret: enough to prove what a client sent, without
	// the simulator ever being able to reveal it.
	fingerprints map[string]string
	// created is the Fingerprint of the request of the POST whose idempotency key made the
	// binding (binding.IdempotencyKey), while nothing has changed it since.
	created string
}

// New builds a simulator serving the given tenants.
func New(tenants []Tenant, opts ...Option) *Simulator {
	s := &Simulator{
		tenants:  map[string]*tenant{},
		domains:  map[string]*account{},
		now:      time.Now,
		rng:      rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), //nolint:gosec // G404: see WithSeed
		idps:     map[string]IdentityProvider{},
		issued:   map[string]*tenant{},
		subjects: map[string]subjectToken{},

		platformApps:      map[platformApp]map[string]bool{},
		platformAppStates: map[platformApp]platformAppState{},
		platformTokens:    map[string]platformApp{},
	}
	for _, o := range opts {
		o(s)
	}
	for _, t := range tenants {
		s.AddTenant(t)
	}
	s.mux = http.NewServeMux()
	s.routeAPI()
	s.routeIAM()
	s.routeMetadata()
	s.routePlatforms()
	s.routePlatformReads()
	s.routeAdmin()
	return s
}

// Reset returns to the declared world: bindings, request records, fault rules, the rate limit,
// the issued lifetime, every key and token IAM or the metadata service issued and every access
// token the platforms issued are gone;
// tenants, agencies, identity providers, the metadata account and the platforms' apps stay.
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forEachAccount(func(a *account) { a.bindings = map[platforms.AppType]*storedBinding{} })
	s.requests = nil
	s.faults = nil
	s.limiter = nil
	s.issuedLifetime = 0
	s.issued = map[string]*tenant{}
	s.issuance = nil
	s.subjects = map[string]subjectToken{}
	s.metadataKey = IssuedCredential{}
	s.platformTokens = map[string]platformApp{}
}

func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Simulator) routeAPI() {
	api := func(h handler) http.HandlerFunc { return s.serve(cocDialect, s.signed(h)) }
	s.mux.HandleFunc("GET "+coc.MobileAppsPath, api(s.list))
	s.mux.HandleFunc("GET "+coc.MobileAppsPath+"/{app_type}", api(s.get))
	s.mux.HandleFunc("POST "+coc.MobileAppsPath+"/{app_type}", api(s.create))
	s.mux.HandleFunc("PUT "+coc.MobileAppsPath+"/{app_type}", api(s.update))
	s.mux.HandleFunc("DELETE "+coc.MobileAppsPath+"/{app_type}", api(s.remove))
	// Whatever no pattern serves meets the API gateway in front of COC, which answers an API it
	// does not publish itself, before any signature check: the backend never sees the call.
	s.mux.HandleFunc("/", s.serve(cocDialect, func(c *call) (int, any) { return notPublished(c.r).answer() }))
}

// notPublished is the gateway's answer to a call of an API it does not publish: an unknown path,
// or a known path with a method it does not serve.
func notPublished(r *http.Request) *apiError {
	msg := MessageNotPublished
	if r.URL.Path == coc.MobileAppsPath || path.Dir(r.URL.Path) == coc.MobileAppsPath {
		msg = MessageNoSuchMethod
	}
	return &apiError{status: http.StatusNotFound, code: hwhttp.CodeNotPublished, msg: msg}
}

func platformOf(r *http.Request) (platforms.Platform, *apiError) {
	p, err := platforms.For(platforms.AppType(r.PathValue("app_type")))
	if err != nil {
		return p, invalid(coc.FieldError{Field: "app_type", Reason: err.Error()})
	}
	return p, nil
}

func invalid(details ...coc.FieldError) *apiError {
	return &apiError{status: http.StatusBadRequest, code: coc.CodeInvalidField, msg: "invalid request parameters", details: details}
}

func notBound(p platforms.Platform) *apiError {
	return &apiError{status: http.StatusNotFound, code: coc.CodeNotBound, msg: "no " + string(p.AppType) + " app is bound to this tenant"}
}

func (s *Simulator) list(c *call) (int, any) {
	q := c.r.URL.Query()
	limit, offset := DefaultPageLimit, 0
	var problems []coc.FieldError
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > coc.MaxPageLimit {
			problems = append(problems, coc.FieldError{Field: "limit", Reason: "must be an integer from 1 to " + strconv.Itoa(coc.MaxPageLimit)})
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems = append(problems, coc.FieldError{Field: "offset", Reason: "must be a non-negative integer"})
		}
		offset = n
	}
	filter := platforms.AppType(q.Get("app_type"))
	if filter != "" {
		if _, err := platforms.For(filter); err != nil {
			problems = append(problems, coc.FieldError{Field: "app_type", Reason: err.Error()})
		}
	}
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	all := []coc.Binding{}
	for _, p := range platforms.All() {
		if sb, ok := c.account.bindings[p.AppType]; ok && (filter == "" || filter == p.AppType) {
			all = append(all, s.shown(sb))
		}
	}
	page := coc.BindingList{Total: len(all), List: []coc.Binding{}}
	if offset < len(all) {
		page.List = all[offset:min(offset+limit, len(all))]
	}
	return http.StatusOK, Success(page)
}

func (s *Simulator) get(c *call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	sb, ok := c.account.bindings[p.AppType]
	if !ok {
		return http.StatusNotFound, notBound(p)
	}
	return http.StatusOK, Success(s.shown(sb))
}

func (s *Simulator) create(c *call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	req, problems := DecodeBindingRequest(p, Create, c.body)
	key := c.r.Header.Get(coc.HeaderIdempotencyKey)
	if reason := idempotencyKeyProblem(c.r.Header); reason != "" {
		problems = append(problems, coc.FieldError{Field: coc.HeaderIdempotencyKey, Reason: reason})
	}
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	if sb, ok := c.account.bindings[p.AppType]; ok {
		return s.createOver(c, p, sb, key, req)
	}
	sb := s.store(c.account, p, req)
	if key != "" {
		sb.binding.IdempotencyKey, sb.created = key, requestFingerprint(req)
	}
	return http.StatusCreated, Success(sb.binding)
}

func (s *Simulator) update(c *call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	req, problems := DecodeBindingRequest(p, Update, c.body)
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	sb, ok := c.account.bindings[p.AppType]
	if !ok {
		return http.StatusNotFound, notBound(p)
	}
	if bound := sb.binding.Fields[p.Identifier.Name]; req.Fields[p.Identifier.Name] != bound {
		return http.StatusBadRequest, &apiError{
			status: http.StatusBadRequest, code: coc.CodeImmutableField,
			msg:     p.Identifier.Name + " cannot be changed; the bound app is " + bound,
			details: []coc.FieldError{{Field: p.Identifier.Name, Reason: "cannot be changed"}},
		}
	}
	return http.StatusOK, Success(s.store(c.account, p, req).binding)
}

func (s *Simulator) remove(c *call) (int, any) {
	p, err := platformOf(c.r)
	if err != nil {
		return err.status, err
	}
	expected, problems := expectedIdentifier(p, c.r.URL.Query())
	if problems != nil {
		return http.StatusBadRequest, invalid(problems...)
	}
	sb, ok := c.account.bindings[p.AppType]
	if !ok {
		return http.StatusNotFound, notBound(p)
	}
	if bound := sb.binding.Fields[p.Identifier.Name]; expected != "" && expected != bound {
		return http.StatusPreconditionFailed, &apiError{status: http.StatusPreconditionFailed, code: coc.CodeOtherAppBound,
			msg: "the bound " + string(p.AppType) + " app is " + p.Identifier.Name + " " + bound + ", not " + expected + "; nothing was unbound"}
	}
	delete(c.account.bindings, p.AppType)
	return http.StatusNoContent, nil
}

// store creates or updates a binding from a validated request, as both the API and the admin
// "console" do. Secrets in req replace the stored ones and move key_updated_at. A change forgets
// the idempotency key of the create that made the binding: its earlier answer is no longer true.
func (s *Simulator) store(a *account, p platforms.Platform, req coc.BindingRequest) *storedBinding {
	now := s.now().UTC().Truncate(time.Millisecond)
	sb, ok := a.bindings[p.AppType]
	if !ok {
		sb = &storedBinding{
			binding:      coc.Binding{AppType: p.AppType, Status: coc.StatusEnabled, CreatedAt: now, KeyUpdatedAt: now},
			fingerprints: map[string]string{},
		}
		a.bindings[p.AppType] = sb
	}
	sb.binding.IdempotencyKey, sb.created = "", ""
	// Timestamps strictly increase, so two changes within one millisecond still read as two.
	now = later(now, sb.binding.UpdatedAt)
	sb.binding.Fields = maps.Clone(req.Fields)
	sb.binding.UpdatedAt = now
	if len(req.Secrets) > 0 && ok {
		sb.binding.KeyUpdatedAt = later(now, sb.binding.KeyUpdatedAt)
	}
	for name, v := range req.Secrets {
		sb.fingerprints[name] = Fingerprint(v)
	}
	return sb
}

func later(now, previous time.Time) time.Time {
	if !now.After(previous) {
		return previous.Add(time.Millisecond)
	}
	return now
}

// Fingerprint is how the simulator remembers a secret: hex SHA-256 of its value.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
