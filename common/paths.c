/* What the platforms share of paths.h: the order a client tries endpoints. */
#include "paths.h"

#include <string.h>

int paths_client_endpoints(char out[PATHS_CANDIDATES_MAX][PATHS_MAX])
{
    int count = 0;

    /* This user's own service first (for root or SYSTEM, that is the
     * system one), then the system's. */
    if (paths_default_endpoint(paths_system_mode(), out[count], PATHS_MAX) == 0)
        count++;
    if (paths_default_endpoint(1, out[count], PATHS_MAX) == 0 &&
        (count == 0 || strcmp(out[0], out[count]) != 0))
        count++;
    return count;
}
