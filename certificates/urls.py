from .views import pages, public

app_name = "certificates"

# Mounted at the site's root: the verification page's address is short (/v/<code>/) because it is
# printed in the QR code; the other pages live under /certificates/.
urlpatterns = [*public.urlpatterns, *pages.urlpatterns]
