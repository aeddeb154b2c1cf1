package simulator

import (
	"net/http"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// The ECS metadata service, as far as the credential chain uses it: the temporary key of the
// agency attached to the instance.

// metadataDialect is the metadata service's: a status and a line of text.
var metadataDialect = dialect{write: func(w http.ResponseWriter, e *apiError) { http.Error(w, e.message(), e.status) }}

// SetMetadataAccount attaches an agency of domainID's account to the simulated ECS instance: its
// metadata service then hands out temporary keys in that account. An empty domainID detaches
// it, and the metadata service answers 404.
func (s *Simulator) SetMetadataAccount(domainID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.metadataDomain = domainID
}

func (s *Simulator) routeMetadata() {
	s.mux.HandleFunc("GET "+credentials.MetadataSecurityKeyPath, s.serve(metadataDialect, s.securityKey))
}

func (s *Simulator) securityKey(*call) (int, any) {
	if s.metadataDomain == "" {
		return (&apiError{status: http.StatusNotFound, msg: "no agency is attached to this instance"}).answer()
	}
	// ECS renews an instance's agency key ahead of its expiry: the same key is served until half
	// its lifetime has passed, then a new one.
	current := s.metadataKey
	if current.DomainID != s.metadataDomain || !s.now().Before(current.IssuedAt.Add(current.ExpiresAt.Sub(current.IssuedAt)/2)) {
		current = s.issue(s.metadataDomain, MethodMetadata, defaultIssuedLifetime)
		s.metadataKey = current
	}
	return http.StatusOK, current.response()
}
