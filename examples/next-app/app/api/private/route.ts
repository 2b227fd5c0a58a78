// Protected by the middleware: signed-out API requests get a 404.
export function GET() {
  return Response.json({ private: true });
}
