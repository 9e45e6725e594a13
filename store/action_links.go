package store

import (
	"context"
	"fmt"
)

// ActionLinkUsed tells whether the emailed action link with this id was
// used.
func (s *Store) ActionLinkUsed(ctx context.Context, id string) (bool, error) {
	var used bool
	err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM action_links_used WHERE id = $1)`, id).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("action link %s used: %w", id, err)
	}
	return used, nil
}

// SpendActionLink records that the action link with this id has acted;
// recording it twice (a retry after the first answer was lost) is no
// change.
func (s *Store) SpendActionLink(ctx context.Context, id, userID, action, objectID string) error {
	_, err := s.Pool.Exec(ctx, `INSERT INTO action_links_used (id, user_id, action, object_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, id, userID, action, objectID)
	if err != nil {
		return fmt.Errorf("spend action link %s: %w", id, err)
	}
	return nil
}
