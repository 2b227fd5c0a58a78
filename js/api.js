// The public API over the engine, for bundlers (Next.js). The entry that imports this file first
// loads the wasm: index.js (edge runtime, precompiled module) or index.node.js (Node.js runtime).
import { NextResponse } from 'next/server';
import nextPkg from 'next/package.json';
import { create } from './core.js';

export const { clerkMiddleware, createRouteMatcher } = create({ NextResponse, nextVersion: nextPkg.version });
