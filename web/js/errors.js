// Errors a person can act on, as i18n keys.
export function mediaErrorKey(e) {
  if (!e) return 'error.generic';
  if (e.name === 'NotAllowedError' || e.name === 'SecurityError') return 'error.cameraDenied';
  if (e.name === 'NotReadableError' || e.name === 'AbortError') return 'error.cameraInUse';
  if (e.name === 'NotFoundError' || e.name === 'OverconstrainedError') return 'error.noDevice';
  return 'error.generic';
}

export function serverErrorKey(code) {
  return {
    'room-full': 'error.roomFull',
    'invalid-name': 'error.invalidName',
    draining: 'error.draining',
    'too-many-rooms': 'error.tooManyRooms',
    unreachable: 'error.unreachable',
    'server-full': 'error.serverFull',
  }[code] || 'error.generic';
}
