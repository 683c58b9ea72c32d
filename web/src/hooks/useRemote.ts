import { useCallback, useEffect, useState } from "react";
import { api, ApiError, type PushResult, type RemoteInfo } from "../lib/api";

export interface RemoteState {
  /** undefined while loading; null when the app has no remote. */
  remote: RemoteInfo | null | undefined;
  /** Why the remote could not be read (not "there is none", which is `remote: null`). */
  loadError: ApiError | null;
  save: (body: { url: string; branch?: string; token?: string | null }) => Promise<RemoteInfo>;
  disconnect: () => Promise<void>;
  push: () => Promise<PushResult>;
}

/** The app's git remote: read once, then changed only through here. Errors go to the caller. */
export function useRemote(appId: string): RemoteState {
  const [remote, setRemote] = useState<RemoteInfo | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    api.getRemote(appId).then(
      (r) => live && setRemote(r),
      (err: ApiError) => {
        if (!live) return;
        if (err.status === 404) setRemote(null);
        else setLoadError(err);
      },
    );
    return () => {
      live = false;
    };
  }, [appId]);

  const save = useCallback(
    async (body: { url: string; branch?: string; token?: string | null }) => {
      const saved = await api.setRemote(appId, body);
      setRemote(saved);
      return saved;
    },
    [appId],
  );
  const disconnect = useCallback(async () => {
    await api.deleteRemote(appId);
    setRemote(null);
  }, [appId]);
  const push = useCallback(() => api.push(appId), [appId]);

  return { remote, loadError, save, disconnect, push };
}
