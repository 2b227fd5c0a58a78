// clerk-edge: `clerkMiddleware()` for Next.js with its decisions made in Rust (WebAssembly).
// A drop-in for `@clerk/nextjs/server`'s `clerkMiddleware` and `createRouteMatcher`.
// This entry is for bundlers (Next.js): it loads the wasm through `?module` (js/wasm-edge.js).
import './wasm-edge.js';
import { NextResponse } from 'next/server';
import nextPkg from 'next/package.json';
import { create } from './core.js';

export const { clerkMiddleware, createRouteMatcher } = create({ NextResponse, nextVersion: nextPkg.version });
