// Machine tokens: auth({ acceptsToken }) narrows the auth object per token type.
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';
import { NextResponse } from 'next/server';

const isApi = createRouteMatcher(['/api(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (!isApi(req)) return;
  const key = await auth({ acceptsToken: 'api_key' });
  const tokenType: 'api_key' = key.tokenType;
  if (!key.isAuthenticated) return NextResponse.json({ error: 'unauthorized', tokenType }, { status: 401 });
  const id: string = key.id;
  const session = await auth({ acceptsToken: 'session_token' });
  const userId: string | null = session.userId;
  const either = await auth({ acceptsToken: ['session_token', 'm2m_token'] });
  if (either.tokenType === 'm2m_token') {
    const subject: string | null = either.subject;
    return NextResponse.json({ id, subject, userId });
  }
  const any = await auth({ acceptsToken: 'any' });
  return NextResponse.json({ authenticated: any.isAuthenticated });
});
